from crmtui.cli.main import run

run()
