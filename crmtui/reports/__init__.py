"""crmtui.reports"""
