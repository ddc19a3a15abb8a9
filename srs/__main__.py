from srs.entry import main

main()
