// Package faults holds Funnelscope's fault tests: the real app binary,
// built once, run with `serve` against PostgreSQL while signed webhooks
// (bench/loadgen, from the Shopify fixtures in testdata/) are posted to it on
// 127.0.0.1, and then broken on purpose:
//
//   - PostgreSQL stopped and started again mid-load, on a throwaway
//     cluster of the test's own (initdb and pg_ctl as the postgres user,
//     its own port and temporary directory): every webhook answered 2xx is
//     stored, every one answered otherwise is accepted when resent, and the
//     app recovers without a restart;
//   - SIGTERM mid-load: requests in flight finish with 2xx, later ones are
//     refused, nothing acknowledged is lost;
//   - SIGKILL mid-load, then a restart: everything acknowledged before the
//     kill is stored;
//   - the same delivery log replayed three times, each in a different
//     random order and concurrently, gives the identical report.
//
// The tests that do not stop PostgreSQL use a fresh database on the shared
// test server (store/storetest). A machine without PostgreSQL's initdb
// fails the cluster test; it never skips. Every wait is bounded.
package faults
