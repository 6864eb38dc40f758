"""crmtui.widgets"""
