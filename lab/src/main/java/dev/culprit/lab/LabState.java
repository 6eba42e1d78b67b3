package dev.culprit.lab;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything the lab has made that the kernel cannot tell us by name alone: the processes it
 * started (pid + start time), the faults applied with their settings, and host-wide settings it
 * changed with their original values. Immutable; every change is written to disk at once by {@link
 * LabContext#update}.
 *
 * @param version the file format, for a future reader
 * @param clients how many clients the lab was brought up with; 0 when it is not up
 * @param processes the processes the lab started, in start order
 * @param faults the faults applied (or being applied), at most one per kind
 * @param sysctls host-wide settings to restore
 */
public record LabState(
    int version,
    int clients,
    List<LabProcess> processes,
    List<NetworkFault> faults,
    List<SavedSysctl> sysctls) {

  public static final int VERSION = 1;

  public LabState {
    processes = processes == null ? List.of() : List.copyOf(processes);
    faults = faults == null ? List.of() : List.copyOf(faults);
    sysctls = sysctls == null ? List.of() : List.copyOf(sysctls);
  }

  public static LabState empty() {
    return new LabState(VERSION, 0, List.of(), List.of(), List.of());
  }

  @JsonIgnore
  public boolean isEmpty() {
    return clients == 0 && processes.isEmpty() && faults.isEmpty() && sysctls.isEmpty();
  }

  public LabState withClients(int newClients) {
    return new LabState(version, newClients, processes, faults, sysctls);
  }

  public Optional<LabProcess> process(String role) {
    return processes.stream().filter(p -> p.role().equals(role)).findFirst();
  }

  /** Records {@code process}, replacing an older record of the same role. */
  public LabState withProcess(LabProcess process) {
    List<LabProcess> next = new ArrayList<>(processes);
    next.removeIf(p -> p.role().equals(process.role()));
    next.add(process);
    return new LabState(version, clients, next, faults, sysctls);
  }

  public LabState withoutProcesses(Predicate<LabProcess> which) {
    List<LabProcess> next = new ArrayList<>(processes);
    next.removeIf(which);
    return new LabState(version, clients, next, faults, sysctls);
  }

  public Optional<NetworkFault> fault(FaultKind kind) {
    return faults.stream().filter(f -> f.kind() == kind).findFirst();
  }

  /** Records {@code fault}, replacing the one of the same kind. */
  public LabState withFault(NetworkFault fault) {
    List<NetworkFault> next = new ArrayList<>(faults);
    next.removeIf(f -> f.kind() == fault.kind());
    next.add(fault);
    return new LabState(version, clients, processes, next, sysctls);
  }

  public LabState withoutFault(FaultKind kind) {
    List<NetworkFault> next = new ArrayList<>(faults);
    next.removeIf(f -> f.kind() == kind);
    return new LabState(version, clients, processes, next, sysctls);
  }

  public Optional<SavedSysctl> sysctl(String key) {
    return sysctls.stream().filter(s -> s.key().equals(key)).findFirst();
  }

  /**
   * Records that {@code key} is being set to {@code applied}. A setting already saved keeps its
   * first original value: injecting twice must not "save" the lab's own lowered value.
   */
  public LabState withSysctl(String key, String original, String applied) {
    String keep = sysctl(key).map(SavedSysctl::original).orElse(original);
    List<SavedSysctl> next = new ArrayList<>(sysctls);
    next.removeIf(s -> s.key().equals(key));
    next.add(new SavedSysctl(key, keep, applied));
    return new LabState(version, clients, processes, faults, next);
  }

  public LabState withoutSysctl(String key) {
    List<SavedSysctl> next = new ArrayList<>(sysctls);
    next.removeIf(s -> s.key().equals(key));
    return new LabState(version, clients, processes, faults, next);
  }
}
