// Command ladder runs Ladder, the self-hosted promotion server for GitOps environments.
package main

import (
	"context"
	"fmt"
	"os"

	"ladder/internal/app"
)

func main() {
	if err := app.Run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ladder:", err)
		os.Exit(1)
	}
}
