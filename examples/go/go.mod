module example.com/gre-tuple

go 1.19
