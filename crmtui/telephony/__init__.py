"""Telephony: every source (files, SIP, AMI, HTTP) becomes ``CallEvent``s."""
