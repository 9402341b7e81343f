using P2PFlex.Grid;
foreach (var f in args) { var net = GridNetwork.Load(f); var sw = System.Diagnostics.Stopwatch.StartNew(); var r = AcPowerFlow.Solve(net); var t=sw.Elapsed.TotalMilliseconds; Console.WriteLine($"{net.Name} {r.Status} it={r.Iterations} loss={r.LossesMw:R} vmin={r.MinimumVoltage} {t}ms"); }
