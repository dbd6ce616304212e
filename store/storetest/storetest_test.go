package storetest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// fatalTB records Fatalf instead of stopping the real test.
type fatalTB struct {
	testing.TB
	msg string
}

type fatal struct{}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatal{})
}

func TestOpenFailsWhenPostgresIsUnreachable(t *testing.T) {
	t.Setenv(storetest.EnvPostgres, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	f := &fatalTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fatal); !ok {
					panic(r)
				}
			}
		}()
		storetest.Open(f, store.DialectPostgres)
	}()
	if !strings.Contains(f.msg, "PostgreSQL is unreachable") || !strings.Contains(f.msg, storetest.EnvPostgres) {
		t.Errorf("Fatalf message = %q", f.msg)
	}
}

func TestForEachAndURL(t *testing.T) {
	var seen []string
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		seen = append(seen, s.Dialect())
		if err := s.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SchemaVersion(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	if strings.Join(seen, ",") != "postgres,sqlite" {
		t.Errorf("ForEach ran on %v", seen)
	}
	for _, d := range storetest.Dialects() {
		u := storetest.URL(t, d)
		s, err := store.Open(context.Background(), u, store.Options{EncryptionKey: storetest.Key()})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.SchemaVersion(context.Background())
		_ = s.Close()
		if err != nil || v < 5 {
			t.Errorf("%s URL not migrated: %d, %v", d, v, err)
		}
	}
}
