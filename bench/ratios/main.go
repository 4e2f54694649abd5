// Command ratios reads raw `go test -bench -benchmem` output and prints each
// performance target of the issue with its measured ratio of medians and
// MET or NOT MET.
//
// Usage:
//
//	go run ./ratios [-strict] results/*.txt
//
// Benchmark names are compared without their -GOMAXPROCS suffix. With
// -strict the exit status is 1 when a target is not met; it is always 2 when
// a benchmark a target needs is missing.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sample is one result line.
type sample struct{ ns, cpu, bytes, allocs float64 }

// results holds every sample by benchmark name.
type results map[string][]sample

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse adds the benchmark lines of r to res.
func (res results) parse(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "Benchmark") {
			continue // result lines start in column 0
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue // not a result line
		}
		s := sample{ns: math.NaN(), cpu: math.NaN(), bytes: math.NaN(), allocs: math.NaN()}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("bad value %q in %q", f[i], line)
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = v
			case "cpu-ns/op":
				s.cpu = v
			case "B/op":
				s.bytes = v
			case "allocs/op":
				s.allocs = v
			}
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		res[name] = append(res[name], s)
	}
	return sc.Err()
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// missing collects the benchmarks a target needed and did not find.
var missing []string

// med returns the median of one metric of a benchmark.
func (res results) med(name string, metric func(sample) float64) float64 {
	ss := res[name]
	if len(ss) == 0 {
		missing = append(missing, name)
		return math.NaN()
	}
	xs := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = metric(s)
	}
	return median(xs)
}

func ns(s sample) float64     { return s.ns }
func cpu(s sample) float64    { return s.cpu }
func bytes(s sample) float64  { return s.bytes }
func allocs(s sample) float64 { return s.allocs }

// count is how many samples a benchmark has.
func (res results) count(name string) int { return len(res[name]) }

// checker prints targets and counts the missed ones.
type checker struct {
	w              io.Writer
	met, notMet, n int
}

func (c *checker) target(title, measured string, ok bool, detail string) {
	verdict := "MET"
	switch {
	case strings.Contains(measured, "NaN"):
		verdict = "MISSING DATA"
		c.notMet++
	case ok:
		c.met++
	default:
		verdict = "NOT MET"
		c.notMet++
	}
	c.n++
	fmt.Fprintf(c.w, "%-2d %-60s %-22s %s\n", c.n, title, measured, verdict)
	if detail != "" {
		for _, line := range strings.Split(detail, "\n") {
			fmt.Fprintf(c.w, "     %s\n", line)
		}
	}
}

// nlogn is the n·log₂n bound of the parameter-scaling target, applied to the
// number of parameters actually sorted and encoded: the query's plus the six
// oauth_ parameters of a token-signed request.
func nlogn(n int) float64 {
	m := float64(n + 6)
	return m * math.Log2(m)
}

func main() {
	strict := flag.Bool("strict", false, "exit 1 when a target is not met")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: ratios [-strict] raw-benchmark-output...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	res := results{}
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		err = res.parse(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
	}
	c := &checker{w: os.Stdout}
	w := os.Stdout

	const (
		hmacFloor = "BenchmarkHMACFloor"
		signV3    = "BenchmarkSignV3"
		dghubble  = "BenchmarkDghubbleSignV3"
		exhSign   = "BenchmarkExhSignV3"
		exhTrans  = "BenchmarkExhTransportV3"
		paramsFmt = "BenchmarkSignParams/n=%d"
		// The round trips, each with a /seq and a /c32 variant.
		rtSDK   = "BenchmarkRoundTripExh"
		rtFloor = "BenchmarkRoundTripFloor"
		rtPeer  = "BenchmarkRoundTripDghubble"
		rtBare  = "BenchmarkRoundTripNetHTTP"
	)
	modes := []string{"seq", "c32"}

	fmt.Fprintln(w, "Medians (ns/op, B/op, allocs/op; samples):")
	names := []string{hmacFloor, signV3, fmt.Sprintf(paramsFmt, 1), fmt.Sprintf(paramsFmt, 10), fmt.Sprintf(paramsFmt, 100),
		dghubble, exhSign, exhTrans}
	for _, m := range modes {
		for _, rt := range []string{rtSDK, rtFloor, rtPeer, rtBare} {
			names = append(names, rt+"/"+m)
		}
	}
	for _, n := range names {
		if res.count(n) == 0 {
			fmt.Fprintf(w, "  %-36s (no samples)\n", n)
			continue
		}
		fmt.Fprintf(w, "  %-36s %12.0f %9.0f %7.0f   n=%d\n", n,
			res.med(n, ns), res.med(n, bytes), res.med(n, allocs), res.count(n))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "Targets (ratios of medians):")

	// 1. Signing V3 against the HMAC floor.
	r := res.med(signV3, ns) / res.med(hmacFloor, ns)
	c.target("oauth1 SignV3 / HMACFloor time  (<= 1.50x)", fmt.Sprintf("%.2fx", r), r <= 1.50,
		fmt.Sprintf("SignV3 %.0f ns, HMACFloor %.0f ns", res.med(signV3, ns), res.med(hmacFloor, ns)))
	a := res.med(signV3, allocs)
	c.target("oauth1 SignV3 allocations per signature  (<= 2)", fmt.Sprintf("%.0f allocs", a), a <= 2, "")

	// 2. dghubble comparison.
	r = res.med(dghubble, ns) / res.med(exhSign, ns)
	c.target("dghubble v0.7.3 / exh signing V3  (>= 15x)", fmt.Sprintf("%.1fx", r), r >= 15,
		fmt.Sprintf("dghubble %.0f ns %.0f allocs (Transport over a no-op base), exh %.0f ns %.0f allocs (Signer.Authorization)",
			res.med(dghubble, ns), res.med(dghubble, allocs), res.med(exhSign, ns), res.med(exhSign, allocs)))

	// 3. Round trips: the SDK against the floor of a signed request, and the
	// peer against the SDK.
	maxSDKFloor := map[string]float64{"c32": 1.10, "seq": 1.15}
	for _, m := range []string{"c32", "seq"} {
		sdk, floor := rtSDK+"/"+m, rtFloor+"/"+m
		r := res.med(sdk, ns) / res.med(floor, ns)
		c.target(fmt.Sprintf("RoundTrip sdk / floor, %s  (<= %.2fx)", m, maxSDKFloor[m]), fmt.Sprintf("%.2fx", r),
			r <= maxSDKFloor[m],
			fmt.Sprintf("sdk %.0f ns, floor %.0f ns (%+.1f µs); CPU time sdk / floor %.2fx",
				res.med(sdk, ns), res.med(floor, ns), (res.med(sdk, ns)-res.med(floor, ns))/1000,
				res.med(sdk, cpu)/res.med(floor, cpu)))
	}
	for _, m := range modes {
		sdk, peer := rtSDK+"/"+m, rtPeer+"/"+m
		r := res.med(peer, ns) / res.med(sdk, ns)
		c.target("RoundTrip peer (dghubble) / sdk, "+m+"  (>= 1.30x)", fmt.Sprintf("%.2fx", r), r >= 1.30,
			fmt.Sprintf("dghubble %.0f ns %.0f allocs, sdk %.0f ns %.0f allocs",
				res.med(peer, ns), res.med(peer, allocs), res.med(sdk, ns), res.med(sdk, allocs)))
	}
	for _, m := range modes {
		sdk, floor := rtSDK+"/"+m, rtFloor+"/"+m
		d := res.med(sdk, allocs) - res.med(floor, allocs)
		c.target("RoundTrip sdk - floor allocs, "+m+"  (<= +25)", fmt.Sprintf("%+.0f allocs", d), d <= 25,
			fmt.Sprintf("sdk %.0f allocs %.0f B, floor %.0f allocs %.0f B (%+.0f B)",
				res.med(sdk, allocs), res.med(sdk, bytes), res.med(floor, allocs), res.med(floor, bytes),
				res.med(sdk, bytes)-res.med(floor, bytes)))
	}

	// 4. Scaling with the number of query parameters.
	var tbl strings.Builder
	fmt.Fprintf(&tbl, "%6s %12s %8s %7s %14s %14s %12s\n", "n", "ns/op", "B/op", "allocs", "ns/(n+6)", "t(n)/t(prev)", "nlogn bound")
	ok := true
	worst := 0.0
	prev := 0
	for _, n := range []int{1, 10, 100} {
		name := fmt.Sprintf(paramsFmt, n)
		t := res.med(name, ns)
		step, bound := "", ""
		if prev > 0 {
			g := t / res.med(fmt.Sprintf(paramsFmt, prev), ns)
			b := nlogn(n) / nlogn(prev)
			step, bound = fmt.Sprintf("%.2fx", g), fmt.Sprintf("%.2fx", b)
			if !(g <= b) {
				ok = false
			}
			worst = math.Max(worst, g/b)
		}
		fmt.Fprintf(&tbl, "%6d %12.0f %8.0f %7.0f %14.1f %14s %12s\n", n, t, res.med(name, bytes), res.med(name, allocs),
			t/float64(n+6), step, bound)
		prev = n
	}
	fmt.Fprint(&tbl, "bound: (m·log2 m) growth with m = n+6 signed parameters (the query's and six oauth_ ones)")
	c.target("SignParams growth n=1→10→100  (<= n·log n)", fmt.Sprintf("worst %.2f of bound", worst), ok, tbl.String())

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Not targets, for context:")
	fmt.Fprintf(w, "  dghubble / exh oauth1.Transport (like for like, both clone the request): %.1fx (%.0f ns, %.0f allocs)\n",
		res.med(dghubble, ns)/res.med(exhTrans, ns), res.med(exhTrans, ns), res.med(exhTrans, allocs))
	fmt.Fprintf(w, "  ExhSignV3 (bench module) / SignV3 (oauth1 package), same code: %.2fx\n",
		res.med(exhSign, ns)/res.med(signV3, ns))
	for _, m := range modes {
		sdk, floor, peer, bare := rtSDK+"/"+m, rtFloor+"/"+m, rtPeer+"/"+m, rtBare+"/"+m
		fmt.Fprintf(w, "  round trips, %s: sdk / bare net/http %.2fx; floor / bare %.2fx (%+.1f µs, %+.0f allocs: the headers); "+
			"CPU time (cpu-ns/op, server included) sdk / floor %.2fx, peer / sdk %.2fx\n", m,
			res.med(sdk, ns)/res.med(bare, ns), res.med(floor, ns)/res.med(bare, ns),
			(res.med(floor, ns)-res.med(bare, ns))/1000, res.med(floor, allocs)-res.med(bare, allocs),
			res.med(sdk, cpu)/res.med(floor, cpu), res.med(peer, cpu)/res.med(sdk, cpu))
	}
	fmt.Fprintf(w, "  cores the c32 runs got (cpu-ns/op ÷ ns/op; 2.0 = both, less = other processes took a share):")
	for _, rt := range []struct{ label, name string }{{"sdk", rtSDK}, {"floor", rtFloor}, {"peer", rtPeer}, {"bare", rtBare}} {
		n := rt.name + "/c32"
		fmt.Fprintf(w, " %s %.2f", rt.label, res.med(n, cpu)/res.med(n, ns))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d of %d targets met.\n", c.met, c.n)
	if len(missing) > 0 {
		slices.Sort(missing)
		fmt.Fprintf(os.Stderr, "missing benchmarks: %s\n", strings.Join(slices.Compact(missing), ", "))
		os.Exit(2)
	}
	if *strict && c.notMet > 0 {
		os.Exit(1)
	}
}
