"""khooshe.reports"""
