module github.com/exhgo/exh/bench

go 1.24

require (
	github.com/dghubble/oauth1 v0.7.3
	github.com/exhgo/exh v0.0.0-00010101000000-000000000000
)

require go.uber.org/goleak v1.3.0

replace github.com/exhgo/exh => ../
