// Command validate checks Kubernetes manifests against the API's Go types, offline: each
// document is decoded strictly (an unknown or misspelt field, or a value of the wrong
// type, is an error) into the type its apiVersion and kind name, then checked for what
// Vigil's manifests must have (probes, non-root, read-only root filesystem).
//
//	cd deploy/k8s/validate && go run . ../*.yaml
//	kubectl kustomize deploy/k8s | (cd deploy/k8s/validate && go run . -)
//
// It is a module of its own so that Vigil itself does not depend on k8s.io/api.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: validate FILE... (- for standard input)")
		os.Exit(2)
	}
	failed := false
	for _, f := range os.Args[1:] {
		if err := validateFile(f); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func validateFile(name string) error {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	var errs []error
	for i, doc := range bytes.Split(b, []byte("\n---")) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			errs = append(errs, fmt.Errorf("document %d: %w", i+1, err))
			continue
		}
		if head.Kind == "" {
			continue // comments only
		}
		what := fmt.Sprintf("%s %s", head.Kind, head.Metadata.Name)
		if err := validate(head.APIVersion, head.Kind, doc); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
			continue
		}
		fmt.Printf("ok  %-28s %s\n", head.APIVersion+" "+head.Kind, head.Metadata.Name)
	}
	return errors.Join(errs...)
}

func validate(apiVersion, kind string, doc []byte) error {
	strict := func(into any) error { return yaml.UnmarshalStrict(doc, into) }
	switch apiVersion + "/" + kind {
	case "apps/v1/Deployment":
		var d appsv1.Deployment
		if err := strict(&d); err != nil {
			return err
		}
		if !selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
			return errors.New("the selector does not match the pod template's labels")
		}
		return checkPod(d.Spec.Template.Spec, true)
	case "batch/v1/Job":
		var j batchv1.Job
		if err := strict(&j); err != nil {
			return err
		}
		return checkPod(j.Spec.Template.Spec, false)
	case "v1/Service":
		return strict(&corev1.Service{})
	case "v1/Secret":
		return strict(&corev1.Secret{})
	case "v1/ConfigMap":
		return strict(&corev1.ConfigMap{})
	case "policy/v1/PodDisruptionBudget":
		return strict(&policyv1.PodDisruptionBudget{})
	case "networking.k8s.io/v1/Ingress":
		return strict(&networkingv1.Ingress{})
	case "kustomize.config.k8s.io/v1beta1/Kustomization":
		return nil // checked by kubectl kustomize
	}
	return fmt.Errorf("unknown apiVersion/kind %s/%s", apiVersion, kind)
}

func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return len(sel) > 0
}

// checkPod: non-root, read-only root filesystem, no privilege escalation; a server also
// has its readiness probe on /readyz and liveness probe on /healthz.
func checkPod(p corev1.PodSpec, server bool) error {
	var errs []error
	if p.SecurityContext == nil || p.SecurityContext.RunAsNonRoot == nil || !*p.SecurityContext.RunAsNonRoot {
		errs = append(errs, errors.New("pod securityContext.runAsNonRoot is not true"))
	}
	for _, c := range p.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			errs = append(errs, fmt.Errorf("container %s: readOnlyRootFilesystem is not true", c.Name))
		}
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			errs = append(errs, fmt.Errorf("container %s: allowPrivilegeEscalation is not false", c.Name))
		}
		if !server {
			continue
		}
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			errs = append(errs, fmt.Errorf("container %s: no readiness probe on /readyz", c.Name))
		}
		if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
			errs = append(errs, fmt.Errorf("container %s: no liveness probe on /healthz", c.Name))
		}
		tmp := false
		for _, m := range c.VolumeMounts {
			tmp = tmp || strings.TrimRight(m.MountPath, "/") == "/tmp"
		}
		if !tmp {
			errs = append(errs, fmt.Errorf("container %s: no writable /tmp", c.Name))
		}
	}
	return errors.Join(errs...)
}
