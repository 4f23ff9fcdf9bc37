"""Jiujinan web application: the Flask app factory lives in :mod:`webapp.app`."""
