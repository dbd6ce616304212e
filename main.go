// Command funnelscope is a Shopify app that shows merchants where their
// store's checkout funnel leaks. Commands: serve, demo, migrate,
// deliveries.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/store"
)

const usage = `usage: funnelscope <command>

commands:
  serve       run the app (configuration from the environment; see README.md)
  demo        run a demo on http://127.0.0.1:8080 with no configuration at all
  migrate     apply the database migrations and exit
  deliveries  list the kept unusable webhook deliveries, or replay them:
              deliveries list [-limit N] | deliveries replay ID...
`

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if len(os.Args) < 2 || (len(os.Args) != 2 && os.Args[1] != "deliveries") {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	// stop is called when the command returns, not deferred: os.Exit
	// would skip a deferred call.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)

	var err error
	switch os.Args[1] {
	case "serve":
		app.TuneGC(os.Getenv)
		err = serve(ctx, logger, os.Getenv)
	case "demo":
		app.TuneGC(os.Getenv)
		err = demo(ctx, logger, os.Getenv)
	case "migrate":
		err = migrate(ctx, logger, os.Getenv)
	case "deliveries":
		err = deliveriesCommand(ctx, logger, os.Getenv, os.Args[2:], os.Stdout)
		if errors.Is(err, errUsage) {
			stop()
			fmt.Fprint(os.Stderr, deliveriesUsage)
			os.Exit(2)
		}
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "funnelscope:", err)
		os.Exit(1)
	}
}

// migrate applies the migrations; it needs only DATABASE_URL.
func migrate(ctx context.Context, logger *slog.Logger, env getenv) error {
	s, err := loadSettings(env, false)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, s.databaseURL, store.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }() // all is committed by then: a failed close loses nothing
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	logger.Info("migrations applied")
	return nil
}

// serve runs the app for real: every required setting present, migrations
// applied, then HTTP and the job workers until SIGINT or SIGTERM.
func serve(ctx context.Context, logger *slog.Logger, env getenv) error {
	s, err := loadSettings(env, true)
	if err != nil {
		return err
	}
	if s.app.AdminOrigin != "" {
		logger.Warn("SHOPIFY_ADMIN_ORIGIN is set: calls meant for Shopify go elsewhere; use this for development and tests only")
	}
	return run(ctx, logger, s, ":"+strconv.Itoa(s.port), nil)
}

// run opens the store, migrates, builds the app and serves it on addr
// until ctx ends (serveApp). ready, when set, runs once the app listens.
func run(ctx context.Context, logger *slog.Logger, s settings, addr string, ready func(*app.App, *store.Store, string) error) error {
	st, err := store.Open(ctx, s.databaseURL, store.Options{EncryptionKey: s.key, Logger: logger})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }() // all is committed by then: a failed close loses nothing
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	a, err := app.New(s.app, st, app.Options{Logger: logger, CollectNow: s.collectNow})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	var onReady func(string) error
	if ready != nil {
		onReady = func(base string) error { return ready(a, st, base) }
	}
	return serveApp(ctx, logger, a, ln, onReady)
}

// service is what serveApp serves: an HTTP handler, with background work
// started before it serves and stopped after. *app.App is one.
type service interface {
	Handler() http.Handler
	Start(context.Context) error
	Stop(context.Context) error
}

// shutdownGrace bounds a graceful stop: the requests in flight, then the
// app's commits and running jobs.
const shutdownGrace = 25 * time.Second

// serveApp starts svc and serves it on ln until ctx ends or serving fails,
// then shuts down: the server stops taking connections and lets the
// requests in flight finish, then svc stops (the webhook commits drained,
// the jobs stopped). On every path — Start failing, serving failing, ctx
// ending — ln is closed and svc stopped before serveApp returns, so that
// nothing runs on the store once the caller closes it.
func serveApp(ctx context.Context, logger *slog.Logger, svc service, ln net.Listener, ready func(base string) error) error {
	srv := &http.Server{
		Handler:           svc.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	shutdownCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	}
	if err := svc.Start(ctx); err != nil {
		_ = ln.Close() // nothing was served on it
		// Start may have started part of the work before it failed.
		sctx, cancel := shutdownCtx()
		defer cancel()
		if serr := svc.Stop(sctx); serr != nil {
			logger.Error("jobs shutdown", "error", serr.Error())
		}
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		if err := ready("http://" + ln.Addr().String()); err != nil {
			logger.Error("demo setup failed", "error", err.Error())
		}
	}

	var serveErr error
	select {
	case err := <-served:
		// Serve has closed ln; Shutdown below still closes the
		// connections it was serving.
		serveErr = fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := shutdownCtx()
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Error("http shutdown", "error", err.Error())
		defer func() { _ = srv.Close() }() // the requests still in flight, once svc has answered them
	}
	if err := svc.Stop(sctx); err != nil {
		logger.Error("jobs shutdown", "error", err.Error())
	}
	if serveErr != nil {
		return serveErr
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}
