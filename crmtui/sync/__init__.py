"""crmtui.sync"""
