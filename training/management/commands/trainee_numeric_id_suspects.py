"""List trainees whose 身份证号 may have been stored from a number cell (before imports refused those).

    python manage.py trainee_numeric_id_suspects [--session ID]

Staff use: prints one line per candidate (session, import, row of the file, name, masked number)
and a count. Only trainees of imports made before the rule (TraineeImport.text_id_numbers false)
are looked at; see training.imports.suspects for how a candidate is recognised and why it is a
candidate, not proof.
"""

from django.core.management.base import BaseCommand

from training.imports.suspects import masked_id_looks_rounded
from training.models import Trainee


class Command(BaseCommand):
    help = "List trainees whose 身份证号 may have been stored from a number cell rounded to 15 digits."

    def add_arguments(self, parser):
        parser.add_argument("--session", type=int, help="only this training session")

    def handle(self, *args, **options):
        trainees = (
            Trainee.objects.filter(import_batch__isnull=False, import_batch__text_id_numbers=False)
            .exclude(id_number_masked="")
            .select_related("session")
            .order_by("session_id", "import_batch_id", "row_number")
        )
        if options["session"]:
            trainees = trainees.filter(session_id=options["session"])
        found = 0
        for t in trainees.iterator(chunk_size=2000):
            if masked_id_looks_rounded(t.id_number_masked):
                found += 1
                self.stdout.write(
                    f"培训 #{t.session_id} {t.session.title}\t导入 #{t.import_batch_id}\t第{t.row_number}行\t"
                    f"{t.name}\t{t.id_number_masked}"
                )
        self.stdout.write(f"可能由数字单元格存入的身份证号：{found} 条（需人工核对）")
