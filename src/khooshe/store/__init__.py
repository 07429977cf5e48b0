"""khooshe.store"""
