"""khooshe.services"""
