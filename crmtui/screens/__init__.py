"""crmtui.screens"""
