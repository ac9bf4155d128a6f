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
	MaxQuantity  = 1e9
	MinTempC     = -100.0
	MaxTempC     = 100.0
	MaxShortText = 128
	MaxText      = 256
	MaxLongText  = 1024
	MaxChildren  = 100
	// MaxReadingsPerBatch bounds RecordTemperatures (a gateway's upload in one transaction).
	MaxReadingsPerBatch = 100
	// MaxPageSize bounds the paged lists.
	MaxPageSize   = 200
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

// checkID validates an identifier: 1..64 chars of [A-Za-z0-9._-].
func checkID(field, v string) error {
	if !idPattern.MatchString(v) {
		return newError("ID_INVALID", Params{"field": field, "value": quote(v)})
	}
	return nil
}

// checkText validates free text: valid UTF-8, no control characters except tab and
// newlines, and a length (in characters) within [minLen, maxLen].
func checkText(field, v string, minLen, maxLen int) error {
	if !utf8.ValidString(v) {
		return newError("TEXT_NOT_UTF8", Params{"field": field})
	}
	n := utf8.RuneCountInString(v)
	if n < minLen || n > maxLen {
		if minLen > 0 {
			return newError("TEXT_LENGTH", Params{"field": field, "min": minLen, "max": maxLen, "length": n})
		}
		return newError("TEXT_TOO_LONG", Params{"field": field, "max": maxLen, "length": n})
	}
	if minLen > 0 && strings.TrimSpace(v) == "" {
		return newError("TEXT_BLANK", Params{"field": field})
	}
	for _, r := range v {
		if r == utf8.MaxRune || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') {
			return newError("TEXT_CONTROL_CHARACTER", Params{"field": field})
		}
	}
	return nil
}

// checkDate validates a YYYY-MM-DD calendar date.
func checkDate(field, v string) (time.Time, error) {
	t, err := time.Parse(dateLayout, v)
	if err != nil || len(v) != len(dateLayout) {
		return time.Time{}, newError("DATE_INVALID", Params{"field": field, "value": quote(v)})
	}
	return t, nil
}

// checkRange validates lo <= v <= hi (NaN is rejected).
func checkRange(field string, v, lo, hi float64) error {
	if !(v >= lo && v <= hi) {
		return newError("NUMBER_OUT_OF_RANGE", Params{"field": field, "min": lo, "max": hi, "value": v})
	}
	return nil
}

// checkQuantity validates 0 < v <= MaxQuantity.
func checkQuantity(field string, v float64) error {
	if !(v > 0 && v <= MaxQuantity) {
		return newError("QUANTITY_OUT_OF_RANGE", Params{"field": field, "max": float64(MaxQuantity), "value": v})
	}
	return nil
}

// checkLotQuantity validates a lot quantity: checkQuantity, and still above 0 once rounded to the
// 6 decimals a lot stores (a quantity like 1e-7 would otherwise create a lot of 0 kg). The value
// reported is the rounded one, which is what fails the check.
func checkLotQuantity(field string, v float64) error {
	if err := checkQuantity(field, v); err != nil {
		return err
	}
	if rounded := roundQuantity(v); rounded <= 0 {
		return newError("QUANTITY_OUT_OF_RANGE", Params{"field": field, "max": float64(MaxQuantity), "value": rounded})
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
	return newError("VALUE_NOT_ALLOWED", Params{"field": field, "allowed": strings.Join(allowed, ", "), "value": quote(v)})
}

// checkSHA256 validates 64 lowercase hex characters.
func checkSHA256(field, v string) error {
	if !sha256Pattern.MatchString(v) {
		return newError("SHA256_INVALID", Params{"field": field})
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
		return newError("JSON_TOO_LARGE", Params{"field": field, "max": MaxJSONBytes})
	}
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return newError("JSON_INVALID", Params{"field": field, "error": err})
	}
	if _, err := dec.Token(); err != io.EOF {
		return newError("JSON_TRAILING_DATA", Params{"field": field})
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
