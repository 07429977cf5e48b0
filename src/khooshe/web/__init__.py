"""khooshe.web"""
