package exh

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Keys of the ExH CLI's credentials file, also used as environment variables.
const (
	credHost           = "API_HOST"
	credConsumerKey    = "API_OAUTH_CONSUMER_KEY"
	credConsumerSecret = "API_OAUTH_CONSUMER_SECRET"
	credToken          = "API_OAUTH_TOKEN"
	credTokenSecret    = "API_OAUTH_TOKEN_SECRET"
)

// LoadCredentials reads a credentials file in the format of the ExH CLI
// (~/.exh/credentials): KEY=VALUE lines, LF or CRLF, with API_HOST,
// API_OAUTH_CONSUMER_KEY, API_OAUTH_CONSUMER_SECRET, API_OAUTH_TOKEN and
// API_OAUTH_TOKEN_SECRET. All five are required; a missing one is an error
// naming it. As in the CLI, a line with more than one '=' is ignored.
func LoadCredentials(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("exh: reading credentials: %w", err)
	}
	return parseCredentials(data)
}

func parseCredentials(data []byte) (Config, error) {
	values := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.Count(line, "=") != 1 {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		values[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return Config{}, fmt.Errorf("exh: reading credentials: %w", err)
	}
	var missing []string
	get := func(key string) string {
		v := values[key]
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	cfg := Config{
		Host:           get(credHost),
		ConsumerKey:    get(credConsumerKey),
		ConsumerSecret: get(credConsumerSecret),
		Token:          get(credToken),
		TokenSecret:    get(credTokenSecret),
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("%w: credentials file lacks %s", ErrInvalidConfig, strings.Join(missing, ", "))
	}
	return cfg, nil
}
