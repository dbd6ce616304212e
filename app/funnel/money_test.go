package funnel

import (
	"errors"
	"math"
	"testing"
)

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{50, "0.50"},
		{199, "1.99"},
		{3125000, "31250.00"},
		{-5, "-0.05"},
		{-1999, "-19.99"},
		{math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.in); got != tt.want {
			t.Errorf("FormatMoney(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"19.99", 1999},
		{"1000", 100000},
		{"0.5", 50},
		{"0.50", 50},
		{"0", 0},
		{"-0.00", 0},
		{"007.10", 710},
		{"+3.1", 310},
		{"-19.99", -1999},
		{"0.004", 0},
		{"0.005", 1},
		{"0.0049999", 0},
		{"1.995", 200},
		{"-1.995", -200},
		{"-1.994", -199},
		{"2.345000000000000000001", 235},
		{"92233720368547758.07", math.MaxInt64},
		{"-92233720368547758.08", math.MinInt64},
		{"92233720368547758.064", math.MaxInt64 - 1},
		{"92233720368547758.0649", math.MaxInt64 - 1},
		{"92233720368547758.065", math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMoneyRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "-", "+", ".", ".5", "5.", "1.2.3", "1,00", " 1.00", "1.00 ", "1e3", "0x10", "abc", "1.0a", "--1", "NaN", "Inf", "١٢",
		"92233720368547758.08", "-92233720368547758.09", "92233720368547758.075", "-92233720368547758.085", "100000000000000000000",
	} {
		got, err := ParseMoney(in)
		var me *MoneyError
		if err == nil || !errors.As(err, &me) || me.Input != in {
			t.Errorf("ParseMoney(%q) = %d, %v; want a *MoneyError", in, got, err)
		}
		if got != 0 {
			t.Errorf("ParseMoney(%q) returned %d alongside an error", in, got)
		}
	}
}

func TestMoneyRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 99, 100, -100, 123456789, math.MaxInt64, math.MinInt64} {
		got, err := ParseMoney(FormatMoney(v))
		if err != nil || got != v {
			t.Errorf("ParseMoney(FormatMoney(%d)) = %d, %v", v, got, err)
		}
	}
}
