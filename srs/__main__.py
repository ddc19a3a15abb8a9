from srs.fastpath import main

main()
