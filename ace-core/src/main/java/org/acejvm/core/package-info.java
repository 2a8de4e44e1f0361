/** Core API of ACE for the JVM: tensors conventions, classifiers, noise, graphs, image I/O. */
package org.acejvm.core;
