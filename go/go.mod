module twinbook

go 1.26
