package demo

import "github.com/ratsnetz/ratsnetz"

func (g *gen) large(emit func(*ratsnetz.Dataset) error) error { return nil }
