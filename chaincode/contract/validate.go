package contract

import (
	"encoding/json"
	"io"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Input limits.
const (
	MaxQuantity   = 1e9
	MinTempC      = -100.0
	MaxTempC      = 100.0
	MaxShortText  = 128
	MaxText       = 256
	MaxLongText   = 1024
	MaxChildren   = 100
	MaxUnitLength = 32
	MaxJSONBytes  = 64 * 1024
	quantityScale = 1e6 // quantities are rounded to 6 decimals
)

var (
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	sha256Pattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

const dateLayout = "2006-01-02"

func invalid(format string, args ...any) error {
	return newError(CodeInvalidArgument, format, args...)
}

// checkID validates an identifier: 1..64 chars of [A-Za-z0-9._-].
func checkID(field, v string) error {
	if !idPattern.MatchString(v) {
		return invalid("%s must be 1-64 characters of [A-Za-z0-9._-], got %q", field, truncate(v))
	}
	return nil
}

// checkText validates free text: valid UTF-8, no control characters except tab and
// newlines, and a length (in characters) within [minLen, maxLen].
func checkText(field, v string, minLen, maxLen int) error {
	if !utf8.ValidString(v) {
		return invalid("%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(v)
	if n < minLen || n > maxLen {
		if minLen > 0 {
			return invalid("%s must be %d-%d characters, got %d", field, minLen, maxLen, n)
		}
		return invalid("%s must be at most %d characters, got %d", field, maxLen, n)
	}
	if minLen > 0 && strings.TrimSpace(v) == "" {
		return invalid("%s must not be blank", field)
	}
	for _, r := range v {
		if r == utf8.MaxRune || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') {
			return invalid("%s contains a control character", field)
		}
	}
	return nil
}

// checkDate validates a YYYY-MM-DD calendar date.
func checkDate(field, v string) (time.Time, error) {
	t, err := time.Parse(dateLayout, v)
	if err != nil || len(v) != len(dateLayout) {
		return time.Time{}, invalid("%s must be a date YYYY-MM-DD, got %q", field, truncate(v))
	}
	return t, nil
}

// checkRange validates lo <= v <= hi (NaN is rejected).
func checkRange(field string, v, lo, hi float64) error {
	if !(v >= lo && v <= hi) {
		return invalid("%s must be between %g and %g, got %g", field, lo, hi, v)
	}
	return nil
}

// checkQuantity validates 0 < v <= MaxQuantity.
func checkQuantity(field string, v float64) error {
	if !(v > 0 && v <= MaxQuantity) {
		return invalid("%s must be greater than 0 and at most %g, got %g", field, float64(MaxQuantity), v)
	}
	return nil
}

// checkOneOf validates that v is one of allowed.
func checkOneOf(field, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalid("%s must be one of %s, got %q", field, strings.Join(allowed, ", "), truncate(v))
}

// checkSHA256 validates 64 lowercase hex characters.
func checkSHA256(field, v string) error {
	if !sha256Pattern.MatchString(v) {
		return invalid("%s must be 64 lowercase hex characters", field)
	}
	return nil
}

// roundQuantity rounds to 6 decimal places so that sums and differences stay exact
// enough to compare and identical on every peer.
func roundQuantity(v float64) float64 {
	return math.Round(float64(v*quantityScale)) / quantityScale
}

// decodeStrict parses a JSON argument rejecting unknown fields and trailing data.
func decodeStrict(field, data string, v any) error {
	if len(data) > MaxJSONBytes {
		return invalid("%s is larger than %d bytes", field, MaxJSONBytes)
	}
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("%s is not valid JSON of the expected shape: %v", field, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("%s has trailing data after the JSON value", field)
	}
	return nil
}

func truncate(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
