"""khooshe.analysis"""
