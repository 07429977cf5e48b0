"""khooshe.io"""
