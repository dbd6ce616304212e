// Command funnelscope is a Shopify app that shows merchants where their
// store's checkout funnel leaks. Commands: serve, demo, migrate.
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
  serve    run the app (configuration from the environment; see README.md)
  demo     run a demo on http://127.0.0.1:8080 with no configuration at all
  migrate  apply the database migrations and exit
`

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if len(os.Args) != 2 {
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

// run opens the store, migrates, starts the app on addr and shuts it down
// gracefully when ctx ends: in-flight requests finish, then the job workers stop.
func run(ctx context.Context, logger *slog.Logger, s settings, addr string, ready func(*app.App, *store.Store, string) error) error {
	st, err := store.Open(ctx, s.databaseURL, store.Options{EncryptionKey: s.key, Logger: logger})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }() // all is committed by then: a failed close loses nothing
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	a, err := app.New(s.app, st, app.Options{Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		if err := ready(a, st, "http://"+ln.Addr().String()); err != nil {
			logger.Error("demo setup failed", "error", err.Error())
		}
	}

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Error("http shutdown", "error", err.Error())
	}
	if err := a.Stop(shutdownCtx); err != nil {
		logger.Error("jobs shutdown", "error", err.Error())
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
