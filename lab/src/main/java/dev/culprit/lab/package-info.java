/**
 * {@code culprit lab}: makes the causes culprit names happen for real on this machine (network
 * faults in namespaces of its own, container faults in cgroups of their own), so that a user can
 * watch culprit find them and the end-to-end tests have a real kernel to check culprit against.
 * Never part of the per-host agent's jar.
 */
package dev.culprit.lab;
