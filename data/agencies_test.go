package data

import (
	"context"
	"errors"
	"testing"
)

func TestAgencies(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	if _, err := s.AddAgency(ctx, "01", "snv", "Sở Nội vụ", "", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAgency(ctx, "01", "STTTT", "Sở Khoa học và Công nghệ", "Department of Science and Technology", "officer01"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, province, code, nameVI string
		kind                         error
	}{
		{"same code twice", "01", "SNV", "Sở Nội vụ", ErrConflict},
		{"no such province", "02", "SNV", "Sở Nội vụ", ErrNotFound},
		{"a commune is no province", "00004", "SNV", "Sở Nội vụ", ErrNotFound},
		{"code with a hyphen", "01", "S-NV", "Sở Nội vụ", ErrInvalid},
		{"no name", "01", "SYT", " ", ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.AddAgency(ctx, c.province, c.code, c.nameVI, "", "admin")
			var de *Error
			if !errors.Is(err, c.kind) || !errors.As(err, &de) {
				t.Errorf("got %v, want a data.Error of kind %v", err, c.kind)
			}
		})
	}
	list, err := s.ProvinceAgencies(ctx, "01")
	if err != nil {
		t.Fatal(err)
	}
	// Vietnamese order: "Khoa" before "Nội"
	if len(list) != 2 || list[0].Code != "01-STTTT" || list[1].Code != "01-SNV" || list[1].NameEN != "Sở Nội vụ" {
		t.Fatalf("agencies of 01 = %+v", list)
	}
	if u := list[1].Unit(); u.Parent != "01" || u.Group != Agencies || AgencyProvince(u.Code) != "01" {
		t.Errorf("unit = %+v", u)
	}
	if other, _ := s.ProvinceAgencies(ctx, "79"); len(other) != 0 {
		t.Errorf("79 has %d agencies", len(other))
	}
}
