using P2PFlex.Grid.Matpower;
foreach (var f in args) { var c = MatpowerReader.ReadFile(f); Console.WriteLine($"{c.Name} {c.Buses.Count} {c.Branches.Count} {c.Branches.Count(b=>b.InService)} {c.BaseMva} {c.TotalLoadMw:R} {c.TotalLoadMvar:R}"); }
