/*
 * Physical interrupts the hypervisor owns: the kick SGI (its work is the
 * pcpu request, looked at by the caller) and the console UART's receive
 * interrupt, which feeds the shell.
 */
#include "console.h"
#include "gic.h"
#include "partition.h"
#include "shell.h"
#include "vgic.h"

#define GIC_INTID_SPECIAL_FIRST 1020u

void irq_handle_pending(void)
{
	for (;;) {
		uint32_t intid = gic_ack();
		if (intid >= GIC_INTID_SPECIAL_FIRST)
			return;
		gic_eoi(intid);                  /* priority drop only (EOImode 1) */
		if (intid == GIC_PPI_VTIMER && this_pcpu()->vcpu) {
			/* Deactivated by the guest's EOI through the HW-linked list register. */
			vgic_inject_timer(this_pcpu()->vcpu);
			continue;
		}
		gic_deactivate(intid);
		if (intid == console_irq())
			shell_poll();
	}
}

/* boot/vectors.S: an IRQ taken at EL2 (never unmasked there today). */
void irq_handle_el2(struct gp_regs *f);
void irq_handle_el2(struct gp_regs *f)
{
	(void)f;
	irq_handle_pending();
}
