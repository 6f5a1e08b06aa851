module github.com/ratsnetz/ratsnetz

go 1.26.8
