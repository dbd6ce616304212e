package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// appBinary is the app run as `funnelscope serve` in a process of its own,
// built from this module: the figures are then the app's alone, its
// runtime shared with nothing of the load generator's.
type appBinary struct {
	url  string
	cmd  *exec.Cmd
	dir  string
	done chan struct{}
}

// startBinary builds the app and serves it on a free loopback port over
// dbURL, whose schema holds the migrated tables and installed shops; its
// logs are discarded.
func startBinary(ctx context.Context, dbURL string) (*appBinary, error) {
	dir, err := os.MkdirTemp("", "funnelscope-bench-")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "funnelscope")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/funnelscope/funnelscope")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("building the app: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	b := &appBinary{url: "http://127.0.0.1:" + strconv.Itoa(port), dir: dir, done: make(chan struct{})}
	b.cmd = exec.Command(bin, "serve")
	b.cmd.Env = append(os.Environ(),
		"SHOPIFY_API_KEY="+apiKey, "SHOPIFY_API_SECRET="+apiSecret, "SHOPIFY_APP_URL=https://bench.invalid",
		"TOKEN_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString([]byte(encryptionKey)),
		"DATABASE_URL="+dbURL, "PORT="+strconv.Itoa(port))
	if err := b.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	go func() { _ = b.cmd.Wait(); close(b.done) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(b.url + "/healthz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b, nil
			}
		}
		select {
		case <-b.done:
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("the app exited before answering /healthz")
		default:
		}
		if time.Now().After(deadline) {
			b.stop()
			return nil, fmt.Errorf("the app did not answer /healthz within 30s")
		}
	}
}

// pid is the app's process id.
func (b *appBinary) pid() int { return b.cmd.Process.Pid }

// stop ends the app as an operator would (SIGTERM, then SIGKILL after 30 s)
// and removes the build.
func (b *appBinary) stop() {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(30 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
	_ = os.RemoveAll(b.dir)
}
