function newtonpf_time(case_file, runs, warmup, voltages_file)
% NEWTONPF_TIME  Times MATPOWER's Newton power flow on one case (P2PFlex's comparison, tools/matpower/run.sh).
%   newtonpf_time(CASE_FILE, RUNS, WARMUP, VOLTAGES_FILE) loads the case, converts it to internal numbering and
%   prepares what runpf hands to newtonpf (bus types, admittance matrix, injections, start voltages), then calls
%   newtonpf WARMUP times untimed and RUNS times timed, with MATPOWER's default options (tol 1e-8 on the mismatch,
%   at most 10 iterations). It also times the whole preparation plus solve. Prints one line
%   "newtonpf_ms=<median> full_ms=<median> iterations=<n> success=<0|1>" and writes the solved voltages
%   (bus, |V| p.u., angle in degrees, case order) to VOLTAGES_FILE. Needs MATPOWER's lib, mips/lib, mptest/lib and
%   mp-opt-model/lib on the path (run.sh adds them).
  mpopt = mpoption('verbose', 0, 'out.all', 0);
  mpc = ext2int(loadcase(case_file));
  t = zeros(runs, 1);
  full = zeros(runs, 1);
  for k = 1:(warmup + runs)
    t0 = tic;
    [Ybus, Sbus, V0, ref, pv, pq] = prepare(mpc, mpopt);
    t1 = tic;
    [V, success, iterations] = newtonpf(Ybus, Sbus, V0, ref, pv, pq, mpopt);
    if k > warmup
      t(k - warmup) = toc(t1) * 1000;
      full(k - warmup) = toc(t0) * 1000;
    end
  end
  printf('newtonpf_ms=%.6f full_ms=%.6f iterations=%d success=%d\n', median(t), median(full), iterations, success);
  f = fopen(voltages_file, 'w');
  for b = 1:size(mpc.bus, 1)
    fprintf(f, '%d,%.17g,%.17g\n', mpc.order.bus.i2e(b), abs(V(b)), angle(V(b)) * 180 / pi);
  end
  fclose(f);
end

function [Ybus, Sbus, V0, ref, pv, pq] = prepare(mpc, mpopt)
  % Column numbers of MATPOWER's case format: bus VM 8, VA 9; gen GEN_BUS 1, VG 6, GEN_STATUS 8.
  [ref, pv, pq] = bustypes(mpc.bus, mpc.gen);
  on = find(mpc.gen(:, 8) > 0);
  gbus = mpc.gen(on, 1);
  V0 = mpc.bus(:, 8) .* exp(1j * pi / 180 * mpc.bus(:, 9));
  controlled = ones(size(V0));
  controlled(pq) = 0;
  k = find(controlled(gbus));
  V0(gbus(k)) = mpc.gen(on(k), 6) ./ abs(V0(gbus(k))) .* V0(gbus(k));
  Ybus = makeYbus(mpc.baseMVA, mpc.bus, mpc.branch);
  Sbus = @(Vm) makeSbus(mpc.baseMVA, mpc.bus, mpc.gen, mpopt, Vm);
end
