"""emergence"""
