// Command gateway is the local S3 of redshift-transfer: VersityGW (Apache-2.0) with its POSIX
// backend, so objects are plain files, behind a loopback reverse proxy that does what VersityGW
// v1.8.0 does not do as S3 documents (DeleteObjects' Quiet). Built by bin/install-s3.mjs; started
// by local/s3/startS3.ts.
//
// Usage: gateway -root DIR -meta DIR -versions DIR -listen 127.0.0.1:PORT -region R -health PATH
// with the key pair in RT_S3_ACCESS_KEY / RT_S3_SECRET_KEY (kept off the command line).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/versity/versitygw/backend/meta"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/embedgw"
)

func main() {
	root := flag.String("root", "", "directory of the buckets (one subdirectory each)")
	metaDir := flag.String("meta", "", "sidecar directory for object metadata")
	versions := flag.String("versions", "", "directory for non-current object versions")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	region := flag.String("region", "us-east-1", "region requests must be signed for")
	health := flag.String("health", "", "health check path")
	flag.Parse()
	if err := run(*root, *metaDir, *versions, *listen, *region, *health); err != nil {
		fmt.Fprintf(os.Stderr, "local S3: %v\n", err)
		os.Exit(1)
	}
}

func run(root, metaDir, versions, listen, region, health string) error {
	access, secret := os.Getenv("RT_S3_ACCESS_KEY"), os.Getenv("RT_S3_SECRET_KEY")
	if root == "" || metaDir == "" || versions == "" || access == "" || secret == "" {
		return fmt.Errorf("-root, -meta, -versions, RT_S3_ACCESS_KEY and RT_S3_SECRET_KEY are required")
	}
	sidecar, err := meta.NewSideCar(metaDir)
	if err != nil {
		return fmt.Errorf("metadata directory %s: %w", metaDir, err)
	}
	opts := posix.PosixOpts{
		VersioningDir:       versions,
		SideCarDir:          metaDir,
		Concurrency:         5000,
		IOBufferSize:        1024 * 1024,
		CopyObjectThreshold: 5 * 1024 * 1024 * 1024,
	}
	opts.SetNewDirPerm(0o755)
	opts.SetNewFilePerm(0o644)
	be, err := posix.New(root, sidecar, opts)
	if err != nil {
		return fmt.Errorf("posix backend on %s: %w", root, err)
	}
	defer be.Shutdown()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// The gateway listens on an abstract UNIX socket only this process knows; clients reach it
	// through the proxy on the loopback port.
	socket := fmt.Sprintf("@rt-local-s3-%d", os.Getpid())
	proxyErr := make(chan error, 1)
	go func() { proxyErr <- serveProxy(ctx, listen, socket) }()
	gwErr := make(chan error, 1)
	go func() {
		gwErr <- embedgw.RunVersityGW(ctx, be, &embedgw.Config{
			RootUserAccess:    access,
			RootUserSecret:    secret,
			Region:            region,
			Ports:             []string{socket},
			MaxConnections:    250000,
			MaxRequests:       100000,
			MultipartMaxParts: 10000,
			HealthPath:        health,
			Quiet:             true,
		})
	}()
	select {
	case err := <-proxyErr:
		stop()
		<-gwErr
		return err
	case err := <-gwErr:
		stop()
		<-proxyErr
		return err
	}
}
