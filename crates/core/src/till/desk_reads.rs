//! (desk) desk_reads
