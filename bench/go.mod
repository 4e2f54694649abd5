module github.com/exhgo/exh/bench

go 1.24

require (
	github.com/dghubble/oauth1 v0.7.3
	github.com/exhgo/exh v0.0.0-00010101000000-000000000000
)

require go.uber.org/goleak v1.3.0

require (
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	golang.org/x/net v0.43.0 // indirect
)

replace github.com/exhgo/exh => ../
