package sample

// InTest is left out: test files are not the package's API.
func InTest() {}
