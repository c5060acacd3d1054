// Command ferretdb-embedded runs FerretDB v1 with its SQLite backend as a
// MongoDB-compatible server for local development and tests.
//
// FerretDB's own command cannot be built with `go install` (it needs generated
// version files), so we embed its library package instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "data/ferretdb", "directory for the SQLite database files")
	logLevel := flag.String("log-level", "error", "log level: debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("invalid -log-level %q: %v", *logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	absData, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("invalid -data %q: %v", *dataDir, err)
	}
	if err := os.MkdirAll(absData, 0o755); err != nil {
		fail("cannot create data directory %s: %v", absData, err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + absData + "/",
	})
	if err != nil {
		fail("cannot start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	go keepIDIndexes(ctx, absData, logger)

	// MongoDBURI blocks until the listener is bound, so printing it is the
	// readiness signal that launchers wait for.
	fmt.Printf("ferretdb ready %s\n", f.MongoDBURI())

	if err := <-done; err != nil {
		fail("FerretDB stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-embedded: "+format+"\n", args...)
	os.Exit(1)
}
