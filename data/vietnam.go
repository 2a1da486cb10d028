package data

import "time"

// vietnam is Asia/Ho_Chi_Minh: UTC+7 without daylight saving (since 1975), fixed so that
// it works without the system's time-zone database. Every package takes it from here.
var vietnam = time.FixedZone("ICT", 7*3600)

// VietnamTime is the time zone every month, deadline and working day is judged in.
func VietnamTime() *time.Location { return vietnam }
