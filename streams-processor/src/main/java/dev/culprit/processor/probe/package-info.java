/** Step 5: the address index that joins probe rounds to their target's window. */
package dev.culprit.processor.probe;
