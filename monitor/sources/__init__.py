"""Document sources besides web pages: git repositories of versions (`ota_git`)."""
