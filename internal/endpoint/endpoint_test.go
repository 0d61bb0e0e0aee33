package endpoint

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCABundleTrust(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	bundle := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	tests := []struct {
		name   string
		bundle string
		valid  bool
		serves bool // a client trusting the bundle reaches the test server
	}{
		{"the server's certificate", bundle, true, true},
		{"not PEM", "hello", false, false},
		{"an empty PEM block", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidCABundle(tt.bundle); got != tt.valid {
				t.Errorf("ValidCABundle: got %v, want %v", got, tt.valid)
			}
			c, err := Client(TLS{CABundle: tt.bundle})
			if (err == nil) != tt.valid {
				t.Fatalf("Client: got error %v, want one only for an invalid bundle", err)
			}
			if err != nil {
				return
			}
			resp, err := c.Get(srv.URL)
			if (err == nil) != tt.serves {
				t.Errorf("GET with the bundle: got %v, want success %v", err, tt.serves)
			}
			if err == nil {
				resp.Body.Close()
			}
		})
	}
}
