package config

import (
	"fmt"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func valid() map[string]string {
	return map[string]string{
		"DATABASE_URL": "postgres://u@127.0.0.1:5432/vigil",
		"VIGIL_SECRET": strings.Repeat("s", 32),
	}
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(valid()), NeedServer)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != DefaultAddr || c.BaseURL.String() != DefaultBaseURL || c.Secure() || c.SMTP.TLS != "mandatory" || c.SMTP.Configured() {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestHTTPSBaseURLMakesCookiesSecure(t *testing.T) {
	m := valid()
	m["VIGIL_BASE_URL"] = "https://vigil.example.org/"
	c, err := Load(env(m), NeedServer)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.BaseURL.String() != "https://vigil.example.org" {
		t.Fatalf("https base: %v %v", c.Secure(), c.BaseURL)
	}
}

// Each bad value is reported with the variable's name and what is wrong.
func TestBadValuesNameTheVariable(t *testing.T) {
	cases := []struct{ name, value, want string }{
		{"VIGIL_ADDR", "8080", "VIGIL_ADDR: \"8080\" is not host:port"},
		{"VIGIL_ADDR", "127.0.0.1:99999", "VIGIL_ADDR: port \"99999\""},
		{"VIGIL_BASE_URL", "vigil.example.org", "VIGIL_BASE_URL"},
		{"VIGIL_BASE_URL", "ftp://x.org", "VIGIL_BASE_URL: must start with http:// or https://"},
		{"VIGIL_SECRET", "short", "VIGIL_SECRET: is 5 characters long; it must be at least 32"},
		{"DATABASE_URL", "mysql://x", "DATABASE_URL: must be a postgres:// URL"},
		{"VIGIL_LOG_LEVEL", "loud", "VIGIL_LOG_LEVEL"},
		{"VIGIL_LOG_FORMAT", "xml", "VIGIL_LOG_FORMAT"},
		{"VIGIL_SMTP_ADDR", "smtp.example.org", "VIGIL_SMTP_ADDR: \"smtp.example.org\" is not host:port"},
		{"VIGIL_SMTP_ADDR", ":25", "VIGIL_SMTP_ADDR"},
		{"VIGIL_SMTP_ADDR", "smtp.example.org:abc", "VIGIL_SMTP_ADDR: port \"abc\""},
		{"VIGIL_SMTP_ADDR", "smtp.example.org:0", "VIGIL_SMTP_ADDR: port \"0\""},
		{"VIGIL_SMTP_PASSWORD", "hunter2", "VIGIL_SMTP_PASSWORD: is set but VIGIL_SMTP_USER is not"},
		{"VIGIL_SMTP_TLS", "maybe", "VIGIL_SMTP_TLS"},
		{"VIGIL_SMTP_FROM", "not an address", "VIGIL_SMTP_FROM"},
		{"VIGIL_TRUST_PROXY", "perhaps", "VIGIL_TRUST_PROXY"},
		{"VIGIL_METRICS_ADDR", "nowhere", "VIGIL_METRICS_ADDR"},
	}
	for _, c := range cases {
		m := valid()
		m[c.name] = c.value
		_, err := Load(env(m), NeedServer)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: error %v, want it to contain %q", c.name, c.value, err, c.want)
		}
	}
}

func TestMissingRequired(t *testing.T) {
	_, err := Load(env(map[string]string{}), NeedServer)
	if err == nil {
		t.Fatal("no error with nothing set")
	}
	for _, name := range []string{"DATABASE_URL", "VIGIL_SECRET"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
	// migrate needs only the database.
	if _, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y"}), NeedDatabase); err != nil {
		t.Errorf("NeedDatabase: %v", err)
	}
}

// The SMTP settings are read as given, and the password never shows when
// the settings are printed (or logged).
func TestSMTPSettings(t *testing.T) {
	m := valid()
	m["VIGIL_SMTP_ADDR"] = "smtp.example.org:587"
	m["VIGIL_SMTP_USER"] = "vigil"
	m["VIGIL_SMTP_PASSWORD"] = "s3cret-Pa55"
	m["VIGIL_SMTP_FROM"] = "Protocol Office <protocol@example.org>"
	m["VIGIL_SMTP_TLS"] = "Opportunistic"
	c, err := Load(env(m), NeedServer)
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Addr: "smtp.example.org:587", User: "vigil", Password: "s3cret-Pa55", From: "Protocol Office <protocol@example.org>", TLS: "opportunistic"}
	if c.SMTP != want || !c.SMTP.Configured() {
		t.Fatalf("SMTP = %+v, want %+v", c.SMTP, want)
	}
	for _, printed := range []string{fmt.Sprint(c.SMTP), fmt.Sprintf("%+v", c.SMTP), fmt.Sprintf("%#v", c.SMTP), fmt.Sprintf("%v", c)} {
		if strings.Contains(printed, "s3cret-Pa55") {
			t.Errorf("the SMTP password shows in %q", printed)
		}
	}
	if !strings.Contains(fmt.Sprint(c.SMTP), "smtp.example.org:587") {
		t.Errorf("String() = %q lacks the address", c.SMTP)
	}
	for _, tls := range []string{"mandatory", "none"} {
		m["VIGIL_SMTP_TLS"] = tls
		if c, err := Load(env(m), NeedServer); err != nil || c.SMTP.TLS != tls {
			t.Errorf("VIGIL_SMTP_TLS=%s: %q %v", tls, c.SMTP.TLS, err)
		}
	}
}

// A primary/standby pair is named the libpq way, in either form: several
// hosts, and target_session_attrs so that only the writable one is used.
func TestDatabaseURLForms(t *testing.T) {
	good := []string{
		"postgres://vigil@db1.internal:5432,db2.internal:5432/vigil?target_session_attrs=read-write&sslmode=require",
		"postgresql://vigil@db1,db2/vigil?target_session_attrs=primary&pool_max_conns=20",
		"host=db1.internal,db2.internal port=5432,5433 dbname=vigil user=vigil target_session_attrs=read-write",
	}
	for _, u := range good {
		m := valid()
		m["DATABASE_URL"] = u
		c, err := Load(env(m), NeedDatabase)
		if err != nil || c.DatabaseURL != u {
			t.Errorf("%q refused: %v", u, err)
		}
	}
	bad := map[string]string{
		"postgres://vigil@db1,db2/vigil?target_session_attrs=whichever": "DATABASE_URL: is not a valid PostgreSQL connection string",
		"just-a-hostname": "DATABASE_URL: must be a postgres:// URL or keyword=value pairs",
		"mysql://x":       "DATABASE_URL: must be a postgres:// URL",
	}
	for u, want := range bad {
		m := valid()
		m["DATABASE_URL"] = u
		if _, err := Load(env(m), NeedDatabase); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", u, err, want)
		}
	}
	// The password never shows in the complaint.
	m := valid()
	m["DATABASE_URL"] = "postgres://vigil:hunter2-secret@db1,db2/vigil?target_session_attrs=nonsense"
	if _, err := Load(env(m), NeedDatabase); err == nil || strings.Contains(err.Error(), "hunter2-secret") {
		t.Errorf("error %v shows the password (or is missing)", err)
	}
}
