package main

import "math"

// The archipelagos are drawn as a small island symbol at each main island's position
// (latitude, longitude to 0.01°, from published gazetteers), coloured with their
// province's value and labelled with its name. No outline source in the npm package
// covers them, and a symbol at the true position says what a map must say: they are
// Viet Nam's, as parts of Đà Nẵng and Khánh Hòa.
type archipelago struct {
	name, nameEN, code string
	label              [2]float64 // lon, lat of the label
	islands            [][2]float64
}

var archipelagos = []archipelago{
	{
		name: "Quần đảo Hoàng Sa (TP Đà Nẵng)", nameEN: "Hoang Sa archipelago (Da Nang City)", code: "48",
		label: [2]float64{112.0, 17.45},
		islands: [][2]float64{ // lat, lon
			{16.83, 112.34}, // Phú Lâm
			{16.98, 112.27}, // đảo Cây
			{16.67, 112.73}, // Linh Côn
			{16.53, 111.61}, // Hoàng Sa
			{16.45, 111.51}, // Quang Ảnh
			{16.45, 111.71}, // Quang Hòa
			{16.05, 111.77}, // Bạch Quy
			{15.78, 111.20}, // Tri Tôn
		},
	},
	{
		name: "Quần đảo Trường Sa (tỉnh Khánh Hòa)", nameEN: "Truong Sa archipelago (Khanh Hoa Province)", code: "56",
		label: [2]float64{114.5, 12.1},
		islands: [][2]float64{
			{11.43, 114.33}, // Song Tử Tây
			{11.05, 114.28}, // Thị Tứ
			{10.67, 114.42}, // Loại Ta
			{10.38, 114.36}, // Ba Bình
			{10.38, 114.48}, // Sơn Ca
			{10.18, 114.36}, // Nam Yết
			{9.88, 114.33},  // Sinh Tồn
			{10.82, 115.83}, // Bình Nguyên
			{10.73, 115.80}, // Vĩnh Viễn
			{9.73, 115.87},  // bãi Cỏ Mây
			{8.87, 116.28},  // bãi Trăng Khuyết
			{8.85, 114.65},  // đá Tiên Nữ
			{8.64, 111.92},  // Trường Sa
			{8.86, 112.23},  // đá Tây
			{7.89, 112.92},  // An Bang
			{7.38, 113.83},  // đá Hoa Lau
		},
	},
}

// feature draws each island as a small octagon, about 10 km across.
func (a archipelago) feature() feature {
	const r = 0.09
	var polys [][][][]float64
	for _, is := range a.islands {
		lat, lon := is[0], is[1]
		var ring [][]float64
		for k := 0; k <= 8; k++ {
			t := float64(k%8) * math.Pi / 4
			ring = append(ring, []float64{round4(lon + r*math.Cos(t)), round4(lat + r*math.Sin(t))})
		}
		polys = append(polys, [][][]float64{ring})
	}
	return feature{
		Type:       "Feature",
		Properties: properties{Name: a.name, NameEN: a.nameEN, Code: a.code, Kind: "archipelago", CP: []float64{a.label[0], a.label[1]}},
		Geometry:   geometry{Type: "MultiPolygon", Coordinates: polys},
	}
}
