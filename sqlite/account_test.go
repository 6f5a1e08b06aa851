package sqlite_test

import (
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) *sqlstore.DB { return MustOpenDB(t) })
}
