from qtrust.cli.app import main

main()
