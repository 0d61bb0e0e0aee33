package demo

import (
	"fmt"
	"strings"
)

// environments are the demo's stages in dashboard order, with what makes each one different:
// the parts of values.yaml a promotion never touches.
var environments = []struct {
	name, kind, description string
	replicas                int
	host, region            string
}{
	{"dev", "non-production", "Every merge to main lands here first (CI commits the new version).", 1, "shop.dev.example.com", "eu-west-1"},
	{"staging", "non-production", "Release candidates, checked before production.", 2, "shop.staging.example.com", "eu-west-1"},
	{"prod-eu", "production", "Customers in Europe.", 4, "shop.example.eu", "eu-west-1"},
	{"prod-us", "production", "Customers in the Americas.", 6, "shop.example.com", "us-east-1"},
}

// startVersion is the version every environment holds when the demo is seeded.
const startVersion = "1.3.0"

// chartYAML is the demo chart's Chart.yaml at a version.
func chartYAML(version string) string {
	return fmt.Sprintf(`# Helm chart of the demo web shop. Ladder promotes appVersion from dev to the
# other environments; everything else in this repository belongs to its environment.
apiVersion: v2
name: shop
description: Storefront and checkout API of the demo shop
type: application

# Chart version: bumped by hand when the templates change.
version: 0.7.2

# Application version: set by CI in dev, then promoted by Ladder.
appVersion: %q

maintainers:
  - name: team-shop
    email: team-shop@example.com
`, version)
}

// valuesYAML is values.yaml of the demo chart in environment env at a version.
func valuesYAML(env string, replicas int, host, region, version string) string {
	return strings.TrimLeft(fmt.Sprintf(`
# Values of the shop chart in %[1]s.
# image.tag is promoted by Ladder together with Chart.yaml's appVersion; the rest
# is specific to %[1]s and never changed by a promotion.

replicaCount: %[2]d

image:
  repository: registry.example.com/shop/storefront
  tag: %[5]q # set by CI in dev, promoted by Ladder
  pullPolicy: IfNotPresent

ingress:
  enabled: true
  className: nginx
  host: %[3]s

resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    memory: 256Mi

env:
  LOG_LEVEL: info
  REGION: %[4]s
`, env, replicas, host, region, version), "\n")
}

// deploymentYAML is the chart's one template, so the repository looks like the real thing.
const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-storefront
  labels:
    app.kubernetes.io/name: shop
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/name: shop
  template:
    metadata:
      labels:
        app.kubernetes.io/name: shop
    spec:
      containers:
        - name: storefront
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          env:
            {{- range $name, $value := .Values.env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
`
